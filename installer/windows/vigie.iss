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
;
; Interactive install: two wizard pages ask the helper how to be warned — his own e-mail
; address (and, hidden, the app password his provider wants: it goes to `vigie install` in
; the VIGIE_MAIL_PASSWORD environment variable, never on a command line, and from there to
; the Windows Credential Manager), or a phone notification through the ntfy app (a private
; random topic, shown with the two steps to subscribe) — and `vigie install` then sends a
; test message.
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
french.ChannelTitle=Prévenir l'aidant
english.ChannelTitle=Warning the helper
french.ChannelPrompt=Comment Vigie doit-il prévenir l'aidant quand il se passe quelque chose ?
english.ChannelPrompt=How should Vigie warn the helper when something happens?
french.ChannelMail=Par e-mail, à son adresse habituelle
english.ChannelMail=By e-mail, to the helper's usual address
french.ChannelPhone=Sur son téléphone, avec l'application gratuite ntfy (le plus simple)
english.ChannelPhone=On the helper's phone, with the free ntfy app (the easiest)
french.ChannelLater=Plus tard (vigie helper add)
english.ChannelLater=Later (vigie helper add)
french.MailTitle=L'adresse e-mail de l'aidant
english.MailTitle=The helper's e-mail address
french.MailPrompt=Vigie écrit depuis cette adresse, vers elle. Gmail, Outlook/Hotmail, Yahoo, GMX et iCloud demandent un « mot de passe d'application » (pas le mot de passe habituel) : créez-le sur la page sécurité du compte (Gmail : myaccount.google.com/apppasswords ; Outlook : account.live.com/proofs/AppPassword ; Yahoo : login.yahoo.com/account/security ; iCloud : account.apple.com). Orange, Free, SFR et La Poste : le mot de passe de la messagerie. Il est gardé dans le Gestionnaire d'identification de Windows.
english.MailPrompt=Vigie sends from this address, to it. Gmail, Outlook/Hotmail, Yahoo, GMX and iCloud want an "app password" (not the usual password): make one on the account's security page (Gmail: myaccount.google.com/apppasswords; Outlook: account.live.com/proofs/AppPassword; Yahoo: login.yahoo.com/account/security; iCloud: account.apple.com). It is kept in the Windows Credential Manager.
french.MailAddress=Adresse e-mail :
english.MailAddress=E-mail address:
french.MailPassword=Mot de passe (d'application) :
english.MailPassword=(App) password:
french.MailServer=Serveur d'envoi, seulement si Vigie ne le trouve pas (ex. smtp.exemple.fr:465) :
english.MailServer=Outgoing server, only if Vigie cannot find it (e.g. smtp.example.com:465):
french.PhoneTitle=Sur le téléphone de l'aidant
english.PhoneTitle=On the helper's phone
french.PhoneSteps=Deux étapes sur le téléphone :%n1. Installer l'application gratuite « ntfy » (Google Play, F-Droid ou App Store).%n2. L'ouvrir, appuyer sur « + », taper ce nom puis « S'abonner » :%n%n      %1%n%n(ou ouvrir %2 sur le téléphone). Gardez ce nom pour vous. Un message d'essai arrivera à la fin de l'installation.
english.PhoneSteps=Two steps on the phone:%n1. Install the free app "ntfy" (Google Play, F-Droid or the App Store).%n2. Open it, press "+", type this name and press "Subscribe":%n%n      %1%n%n(or open %2 on the phone). Keep this name to yourself. A test message will come at the end of the install.

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
var
  ChannelPage: TInputOptionWizardPage;
  MailPage: TInputQueryWizardPage;
  PhonePage: TOutputMsgWizardPage;
  Topic: String;

function SetEnvironmentVariable(lpName: String; lpValue: String): BOOL;
  external 'SetEnvironmentVariableW@kernel32.dll stdcall';

function GetTickCount(): DWord;
  external 'GetTickCount@kernel32.dll stdcall';
function GetCurrentProcessId(): DWord;
  external 'GetCurrentProcessId@kernel32.dll stdcall';

{ A private ntfy topic nobody can guess: "vigie-" and 20 hex digits of a SHA-1 over the
  time to the millisecond, the tick count, the process id, the computer and user names and
  Random (Pascal Script has no cryptographic generator; `vigie install --ntfy` uses one). }
function NewTopic(): String;
var
  Seed: String;
begin
  Seed := GetDateTimeString('yyyymmddhhnnsszzz', #0, #0) + '/' + IntToStr(GetTickCount()) + '/'
    + IntToStr(GetCurrentProcessId()) + '/' + ExpandConstant('{computername}/{username}/')
    + IntToStr(Random(2147483647)) + '/' + IntToStr(Random(2147483647));
  Result := 'vigie-' + Copy(GetSHA1OfString(Seed), 1, 20);
end;

procedure InitializeWizard();
begin
  Topic := NewTopic();
  ChannelPage := CreateInputOptionPage(wpWelcome, CustomMessage('ChannelTitle'), '',
    CustomMessage('ChannelPrompt'), True, False);
  ChannelPage.Add(CustomMessage('ChannelMail'));
  ChannelPage.Add(CustomMessage('ChannelPhone'));
  ChannelPage.Add(CustomMessage('ChannelLater'));
  ChannelPage.SelectedValueIndex := 0;
  MailPage := CreateInputQueryPage(ChannelPage.ID, CustomMessage('MailTitle'), '', CustomMessage('MailPrompt'));
  MailPage.Add(CustomMessage('MailAddress'), False);
  MailPage.Add(CustomMessage('MailPassword'), True);
  MailPage.Add(CustomMessage('MailServer'), False);
  PhonePage := CreateOutputMsgPage(MailPage.ID, CustomMessage('PhoneTitle'), '',
    FmtMessage(CustomMessage('PhoneSteps'), [Topic, 'https://ntfy.sh/' + Topic]));
end;

{ An address given on the command line (/NOTIFY) or a silent install (/SILENT, /VERYSILENT:
  NextButtonClick still runs there for a page not skipped) asks nothing; each page only for
  its choice. }
function ShouldSkipPage(PageID: Integer): Boolean;
begin
  Result := False;
  if WizardSilent and ((PageID = ChannelPage.ID) or (PageID = MailPage.ID) or (PageID = PhonePage.ID)) then
    Result := True
  else if (PageID = ChannelPage.ID) and (ExpandConstant('{param:NOTIFY|}') <> '') then
    Result := True
  else if PageID = MailPage.ID then
    Result := (ExpandConstant('{param:NOTIFY|}') <> '') or (ChannelPage.SelectedValueIndex <> 0)
  else if PageID = PhonePage.ID then
    Result := (ExpandConstant('{param:NOTIFY|}') <> '') or (ChannelPage.SelectedValueIndex <> 1);
end;

{ Leaving the e-mail page: an address is needed; the password goes to the environment
  that `vigie install` inherits, never to its command line. }
function NextButtonClick(CurPageID: Integer): Boolean;
begin
  Result := True;
  if (CurPageID = MailPage.ID) and not WizardSilent then
  begin
    if Pos('@', MailPage.Values[0]) < 2 then
    begin
      MsgBox(CustomMessage('MailAddress'), mbError, MB_OK);
      Result := False;
    end
    else
      SetEnvironmentVariable('VIGIE_MAIL_PASSWORD', MailPage.Values[1]);
  end;
end;

{ The helper's choice on the pages, as `vigie install` options (with a test message). }
function ChannelArgs(): String;
begin
  Result := '';
  if (ExpandConstant('{param:NOTIFY|}') <> '') or WizardSilent then
    Exit;
  if ChannelPage.SelectedValueIndex = 0 then
  begin
    Result := ' --mail ' + AddQuotes(Trim(MailPage.Values[0])) + ' --test-message';
    if Trim(MailPage.Values[2]) <> '' then
      Result := Result + ' --mail-server ' + AddQuotes(Trim(MailPage.Values[2]));
  end
  else if ChannelPage.SelectedValueIndex = 1 then
    Result := ' --notify ' + AddQuotes('ntfys://ntfy.sh/' + Topic) + ' --test-message';
end;

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
    + Arg('--helper-phone', 'HELPERPHONE') + Arg('--notify', 'NOTIFY') + Arg('--helper-code', 'HELPERCODE') + ChannelArgs();
end;
