; Inno Setup 6 script: a per-user installer for Vigie (no administrator rights needed).
;   iscc /DAppVersion=0.1.0 installer\windows\vigie.iss      -> dist\vigie-setup-0.1.0.exe
; It installs dist\Vigie\ (built by installer\windows\vigie.spec) into
; %LOCALAPPDATA%\Programs\Vigie, runs `vigie install --silent` (settings + the per-user Run
; key) and starts Vigie. The uninstaller runs `vigie uninstall --silent` first, which
; tells the helper, stops Vigie and removes the Run key (evidence is kept).
;
; Remote or silent install by the family helper, e.g.:
;   vigie-setup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /VIGIELANG=fr /COUNTRY=FR
;       /PERSONNAME="Jeanne" /HELPERNAME="Marie" /HELPERPHONE="01 99 00 12 34" /NOTIFY="ntfy://my-topic" /HELPERCODE="4821"
; /NOTIFY takes one address; add more later with `vigie helper add URL`. `vigie install` moves
; a password in it to the Windows Credential Manager, but Inno Setup writes its own command
; line into the setup log when one is asked for (/LOG): no log is written unless asked
; (no SetupLogging), and the `vigie install` line is kept out of it (dontlogparameters).
; What is installed and removed: the files in {app} and the Start-menu shortcut (Inno Setup
; itself); the settings and the per-user Run key (`vigie install` / `vigie uninstall`, which
; keeps the evidence in %LOCALAPPDATA%\vigie\evidence).
; Compiled with Inno Setup 6 from the npm package `innosetup`; built, installed, run and
; removed under Wine by scripts/wine-lane.sh (tests/windows/package/). Not yet run on a real
; Windows machine (.github/workflows/packages.yml has no runner attached).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{5E0B6C1D-7A2F-4E8B-9C3D-1F6A2B7C8D90}
AppName=Vigie
AppVersion={#AppVersion}
AppPublisher=Vigie contributors
AppPublisherURL=https://github.com/vigie-project/vigie
DefaultDirName={localappdata}\Programs\Vigie
DisableDirPage=yes
DisableProgramGroupPage=yes
DisableReadyPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=vigie-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=Vigie
UninstallDisplayIcon={app}\vigiew.exe
CloseApplications=yes

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
french.Configuring=Vigie se met en place pour cet utilisateur…
english.Configuring=Setting Vigie up for this user…
french.Removing=Vigie se retire…
english.Removing=Removing Vigie…

[Files]
Source: "..\..\dist\Vigie\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Vigie"; Filename: "{app}\vigiew.exe"; Parameters: "run"

[Run]
Filename: "{app}\vigie.exe"; Parameters: "install --silent {code:InstallArgs}"; StatusMsg: "{cm:Configuring}"; Flags: runhidden waituntilterminated dontlogparameters
Filename: "{app}\vigiew.exe"; Parameters: "run"; Flags: nowait runasoriginaluser

[UninstallRun]
Filename: "{app}\vigie.exe"; Parameters: "uninstall --silent"; RunOnceId: "VigieUninstall"; Flags: runhidden waituntilterminated

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
function Arg(const Option, Name: String): String;
var
  Value: String;
begin
  Result := '';
  Value := ExpandConstant('{param:' + Name + '|}');
  if Value <> '' then
    Result := ' ' + Option + ' ' + AddQuotes(Value);
end;

{ The options given to the setup program become `vigie install` options. The language
  defaults to the one chosen for the installer. }
function InstallArgs(Param: String): String;
var
  Lang: String;
begin
  Lang := ExpandConstant('{param:VIGIELANG|}');
  if Lang = '' then
  begin
    if ActiveLanguage = 'french' then Lang := 'fr' else Lang := 'en';
  end;
  Result := '--lang ' + Lang + Arg('--country', 'COUNTRY') + Arg('--person-name', 'PERSONNAME')
    + Arg('--helper-name', 'HELPERNAME')
    + Arg('--helper-phone', 'HELPERPHONE') + Arg('--notify', 'NOTIFY') + Arg('--helper-code', 'HELPERCODE');
end;
