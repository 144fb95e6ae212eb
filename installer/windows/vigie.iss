; Inno Setup 6 script: a per-user installer for Vigie (no administrator rights needed).
;   iscc /DAppVersion=0.1.0 installer\windows\vigie.iss      -> dist\vigie-setup-0.1.0.exe
; It installs dist\Vigie\ (built by installer\windows\vigie.spec) into
; %LOCALAPPDATA%\Programs\Vigie, runs `vigie install --silent` (settings + the per-user Run
; key, from [Code]) and starts Vigie. The uninstaller runs `vigie uninstall --silent` first,
; which tells the helper, stops Vigie and removes the Run key (evidence is kept). Where a
; helper code is set, the uninstaller asks for it (hidden, in a window of its own) and hands it
; over in a private file (--code-file); a wrong code, or none (a silent uninstall needs
; /HELPERCODE=...), stops the uninstall before anything is removed: Vigie goes on protecting.
;
; Remote or silent install by the family helper, e.g.:
;   vigie-setup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /VIGIELANG=fr /COUNTRY=FR
;       /PERSONNAME="Jeanne" /HELPERNAME="Marie" /HELPERPHONE="01 99 00 12 34" /NOTIFY="ntfy://my-topic" /HELPERCODE="4821"
;
; Interactive install: wizard pages ask the helper how to be warned — his own e-mail
; address (and, hidden, the app password his provider wants), or a phone notification through
; the ntfy app (a private random topic, shown with the two steps to subscribe) — and a helper
; code (optional, typed twice, hidden). `vigie install` is run from the [Code] section once the
; files are in place: the password and the code go to it in files of Setup's own temporary
; folder ({tmp}, in the user's profile: only this user can read it), which `vigie install`
; deletes once read (--mail-password-file, --helper-code-file) — never on a command line nor in
; the environment (an environment variable would be inherited by every program Setup starts,
; the running Vigie included). `vigie install` sends a test message; what it says (accepted or
; not, and why) is shown on the last page, and a failure in a message box.
; /NOTIFY takes one address; add more later with `vigie helper add URL`. `vigie install` moves
; a password in it to the Windows Credential Manager, but Inno Setup writes its own command
; line into the setup log when one is asked for (/LOG): no log is written unless asked
; (no SetupLogging). /HELPERCODE is handed over in a file like the page's code.
; /NTFYSERVER=URL: the ntfy server for the phone choice (default https://ntfy.sh).
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
english.MailPrompt=Vigie sends from this address, to it. Gmail, Outlook/Hotmail, Yahoo, GMX and iCloud want an "app password" (not the usual password): make one on the account's security page (Gmail: myaccount.google.com/apppasswords; Outlook: account.live.com/proofs/AppPassword; Yahoo: login.yahoo.com/account/security; iCloud: account.apple.com). Orange, Free, SFR and La Poste: the mailbox's password. It is kept in the Windows Credential Manager.
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

french.MailBadAddress=Tapez l'adresse e-mail de l'aidant, par exemple marc.dupont@orange.fr.
english.MailBadAddress=Type the helper's e-mail address, for example marc.dupont@gmail.com.
french.CodeTitle=Le code de l'aidant
english.CodeTitle=The helper's code
french.CodePrompt=Un code de 4 à 8 chiffres, gardé par l'aidant : Vigie le demande avant de se mettre en pause, de s'arrêter ou d'être désinstallé, pour qu'un escroc au téléphone ne puisse pas le faire faire. Ne le donnez à personne d'autre. Laissez vide pour ne pas en mettre (déconseillé).
english.CodePrompt=A code of 4 to 8 digits kept by the helper: Vigie asks for it before it pauses, stops or is uninstalled, so that a scammer on the phone cannot get that done. Give it to nobody else. Leave empty for none (not advised).
french.CodeField=Code (4 à 8 chiffres) :
english.CodeField=Code (4 to 8 digits):
french.CodeAgain=Le même code, encore :
english.CodeAgain=The same code, again:
french.CodeBad=Le code doit faire 4 à 8 chiffres, et être tapé deux fois pareil.
english.CodeBad=The code must be 4 to 8 digits, typed the same twice.
french.InstallFailed=Vigie est installé mais n'a pas pu être réglé comme demandé :%n%n%1%n%nRelancez cette installation pour corriger, ou tapez plus tard « vigie helper add ».
english.InstallFailed=Vigie is installed but could not be set up as asked:%n%n%1%n%nRun this setup again to correct it, or later type "vigie helper add".
french.UninstallCodeTitle=Désinstaller Vigie
english.UninstallCodeTitle=Uninstall Vigie
french.UninstallCodePrompt=Vigie est protégé par le code de l'aidant : tapez-le pour désinstaller Vigie.%n%nSi quelqu'un au téléphone ou sur l'écran vous demande de désinstaller Vigie, raccrochez : c'est un escroc.
english.UninstallCodePrompt=Vigie is protected by the helper's code: type it to uninstall Vigie.%n%nIf someone on the phone or on the screen asks you to uninstall Vigie, hang up: it is a scammer.
french.UninstallRefused=Vigie n'a PAS été désinstallé, il continue de protéger cet ordinateur.%n%n%1
english.UninstallRefused=Vigie was NOT uninstalled: it goes on protecting this computer.%n%n%1

[Files]
Source: "..\..\dist\Vigie\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\Vigie"; Filename: "{app}\vigiew.exe"; Parameters: "run"


[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
var
  ChannelPage: TInputOptionWizardPage;
  MailPage: TInputQueryWizardPage;
  PhonePage: TOutputMsgWizardPage;
  CodePage: TInputQueryWizardPage;
  Topic: String;
  InstallReport: String;

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

{ The ntfy server of the phone choice: /NTFYSERVER=URL, else ntfy.sh. }
function NtfyServer(): String;
begin
  Result := ExpandConstant('{param:NTFYSERVER|https://ntfy.sh}');
  while (Length(Result) > 0) and (Result[Length(Result)] = '/') do
    Delete(Result, Length(Result), 1);
end;

{ The topic as a notification address: ntfys://host/topic (https), ntfy://host/topic (http). }
function NtfyUrl(): String;
var
  Server: String;
begin
  Server := NtfyServer();
  if Pos('http://', Lowercase(Server)) = 1 then
    Result := 'ntfy://' + Copy(Server, 8, Length(Server)) + '/' + Topic
  else if Pos('https://', Lowercase(Server)) = 1 then
    Result := 'ntfys://' + Copy(Server, 9, Length(Server)) + '/' + Topic
  else
    Result := 'ntfys://' + Server + '/' + Topic;
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
    FmtMessage(CustomMessage('PhoneSteps'), [Topic, NtfyServer() + '/' + Topic]));
  CodePage := CreateInputQueryPage(PhonePage.ID, CustomMessage('CodeTitle'), '', CustomMessage('CodePrompt'));
  CodePage.Add(CustomMessage('CodeField'), True);
  CodePage.Add(CustomMessage('CodeAgain'), True);
end;

{ An address given on the command line (/NOTIFY) or a silent install (/SILENT, /VERYSILENT:
  NextButtonClick still runs there for a page not skipped) asks nothing; each page only for
  its choice; the code page unless /HELPERCODE gave one. }
function ShouldSkipPage(PageID: Integer): Boolean;
begin
  Result := False;
  if WizardSilent and ((PageID = ChannelPage.ID) or (PageID = MailPage.ID) or (PageID = PhonePage.ID)
      or (PageID = CodePage.ID)) then
    Result := True
  else if (PageID = ChannelPage.ID) and (ExpandConstant('{param:NOTIFY|}') <> '') then
    Result := True
  else if PageID = MailPage.ID then
    Result := (ExpandConstant('{param:NOTIFY|}') <> '') or (ChannelPage.SelectedValueIndex <> 0)
  else if PageID = PhonePage.ID then
    Result := (ExpandConstant('{param:NOTIFY|}') <> '') or (ChannelPage.SelectedValueIndex <> 1)
  else if PageID = CodePage.ID then
    Result := ExpandConstant('{param:HELPERCODE|}') <> '';
end;

function AllDigits(const S: String): Boolean;
var
  I: Integer;
begin
  Result := True;
  for I := 1 to Length(S) do
    if (S[I] < '0') or (S[I] > '9') then
      Result := False;
end;

{ Leaving the e-mail page: an address is needed. Leaving the code page: empty, or 4 to 8
  digits typed the same twice (spaces ignored, as `vigie` does). }
function NextButtonClick(CurPageID: Integer): Boolean;
var
  Code, Again: String;
begin
  Result := True;
  if WizardSilent then
    Exit;
  if (CurPageID = MailPage.ID) and (Pos('@', Trim(MailPage.Values[0])) < 2) then
  begin
    MsgBox(CustomMessage('MailBadAddress'), mbError, MB_OK);
    Result := False;
  end
  else if CurPageID = CodePage.ID then
  begin
    Code := CodePage.Values[0];
    StringChangeEx(Code, ' ', '', True);
    if (Code <> '') or (CodePage.Values[1] <> '') then
    begin
      Result := AllDigits(Code) and (Length(Code) >= 4) and (Length(Code) <= 8);
      Again := CodePage.Values[1];
      StringChangeEx(Again, ' ', '', True);
      Result := Result and (Code = Again);
      if not Result then
        MsgBox(CustomMessage('CodeBad'), mbError, MB_OK);
    end;
  end;
end;

{ A secret handed to `vigie install` in a file of Setup's private temporary folder: the
  option and the file's path ('' when there is no secret). `vigie install` deletes it once
  read; Setup deletes its whole temporary folder at the end anyway. }
function SecretFile(const Option, Name, Value: String): String;
var
  Lines: TArrayOfString;
  Path: String;
begin
  Result := '';
  if Value = '' then
    Exit;
  Path := ExpandConstant('{tmp}\') + Name;
  SetArrayLength(Lines, 1);
  Lines[0] := Value;
  if SaveStringsToUTF8FileWithoutBOM(Path, Lines, False) then
    Result := ' ' + Option + ' ' + AddQuotes(Path);
end;

{ The helper's choice on the pages, as `vigie install` options (with a test message). }
function ChannelArgs(): String;
begin
  Result := '';
  if (ExpandConstant('{param:NOTIFY|}') <> '') or WizardSilent then
    Exit;
  if ChannelPage.SelectedValueIndex = 0 then
  begin
    Result := ' --mail ' + AddQuotes(Trim(MailPage.Values[0])) + ' --test-message'
      + SecretFile('--mail-password-file', 'mail.txt', MailPage.Values[1]);
    if Trim(MailPage.Values[2]) <> '' then
      Result := Result + ' --mail-server ' + AddQuotes(Trim(MailPage.Values[2]));
  end
  else if ChannelPage.SelectedValueIndex = 1 then
    Result := ' --notify ' + AddQuotes(NtfyUrl()) + ' --test-message';
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

{ The helper code: /HELPERCODE, else the code page's. }
function CodeArgs(): String;
var
  Code: String;
begin
  Code := ExpandConstant('{param:HELPERCODE|}');
  if (Code = '') and not WizardSilent then
    Code := CodePage.Values[0];
  StringChangeEx(Code, ' ', '', True);
  Result := SecretFile('--helper-code-file', 'code.txt', Code);
end;

{ The options given to the setup program become `vigie install` options. The language
  defaults to the one chosen for the installer. }
function InstallArgs(): String;
var
  Lang: String;
begin
  Lang := ExpandConstant('{param:VIGIELANG|}');
  if Lang = '' then
  begin
    if ActiveLanguage = 'french' then Lang := 'fr' else Lang := 'en';
  end;
  Result := 'install --silent --lang ' + Lang + Arg('--country', 'COUNTRY') + Arg('--person-name', 'PERSONNAME')
    + Arg('--helper-name', 'HELPERNAME')
    + Arg('--helper-phone', 'HELPERPHONE') + Arg('--notify', 'NOTIFY') + CodeArgs() + ChannelArgs();
end;

function Joined(const Lines: TArrayOfString): String;
var
  I: Integer;
begin
  Result := '';
  for I := 0 to GetArrayLength(Lines) - 1 do
    if Trim(Lines[I]) <> '' then
      Result := Result + Trim(Lines[I]) + #13#10;
end;

{ Once the files are in place: `vigie install` (its words kept for the last page; a failure
  told in a message box), the secret files removed, then Vigie started. }
procedure RunVigieInstall();
var
  ResultCode: Integer;
  Output: TExecOutput;
  Ok: Boolean;
begin
  WizardForm.StatusLabel.Caption := CustomMessage('Configuring');
  try
    Ok := ExecAndCaptureOutput(ExpandConstant('{app}\vigie.exe'), InstallArgs(), ExpandConstant('{app}'),
      SW_SHOWNORMAL, ewWaitUntilTerminated, ResultCode, Output);
  except
    Ok := False;
    ResultCode := -1;
  end;
  DeleteFile(ExpandConstant('{tmp}\mail.txt'));
  DeleteFile(ExpandConstant('{tmp}\code.txt'));
  if Ok then
    InstallReport := Joined(Output.StdOut) + Joined(Output.StdErr);
  if not Ok or (ResultCode <> 0) then
  begin
    if InstallReport = '' then
      InstallReport := SysErrorMessage(ResultCode);
    SuppressibleMsgBox(FmtMessage(CustomMessage('InstallFailed'), [InstallReport]), mbError, MB_OK, IDOK);
  end;
  Exec(ExpandConstant('{app}\vigiew.exe'), 'run', ExpandConstant('{app}'), SW_SHOWNORMAL, ewNoWait, ResultCode);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
    RunVigieInstall();
end;

{ The code page is the last before installing (no "ready" page): its button says
  "Install". The last page says what `vigie install` said: the test message accepted or not. }
procedure CurPageChanged(CurPageID: Integer);
begin
  if CurPageID = CodePage.ID then
    WizardForm.NextButton.Caption := SetupMessage(msgButtonInstall)
  else if (CurPageID = wpFinished) and (InstallReport <> '') then
  begin
    WizardForm.FinishedLabel.Caption := WizardForm.FinishedLabel.Caption + #13#10#13#10 + InstallReport;
    WizardForm.AdjustLabelHeight(WizardForm.FinishedLabel);
  end;
end;

{ -- the uninstaller ------------------------------------------------------------------ }
var
  UninstallCode: String;

function HelperCodeSet(): Boolean;
begin
  Result := FileExists(ExpandConstant('{localappdata}\vigie\state\helper-code.json'));
end;

{ The helper code, asked in a small window of its own (not shown as typed); False when the
  person cancels. }
function AskUninstallCode(var Code: String): Boolean;
var
  Form: TSetupForm;
  Prompt: TNewStaticText;
  Edit: TPasswordEdit;
  OkButton, CancelButton: TNewButton;
begin
  Form := CreateCustomForm();
  try
    Form.ClientWidth := ScaleX(440);
    Form.ClientHeight := ScaleY(200);
    Form.Caption := CustomMessage('UninstallCodeTitle');
    Prompt := TNewStaticText.Create(Form);
    Prompt.Parent := Form;
    Prompt.Left := ScaleX(16);
    Prompt.Top := ScaleY(16);
    Prompt.Width := Form.ClientWidth - ScaleX(32);
    Prompt.WordWrap := True;
    Prompt.AutoSize := True;
    Prompt.Caption := CustomMessage('UninstallCodePrompt');
    Edit := TPasswordEdit.Create(Form);
    Edit.Parent := Form;
    Edit.Left := ScaleX(16);
    Edit.Top := ScaleY(110);
    Edit.Width := ScaleX(200);
    OkButton := TNewButton.Create(Form);
    OkButton.Parent := Form;
    OkButton.Caption := SetupMessage(msgButtonOK);
    OkButton.Left := Form.ClientWidth - ScaleX(200);
    OkButton.Top := ScaleY(156);
    OkButton.Width := ScaleX(88);
    OkButton.Height := ScaleY(28);
    OkButton.ModalResult := mrOk;
    OkButton.Default := True;
    CancelButton := TNewButton.Create(Form);
    CancelButton.Parent := Form;
    CancelButton.Caption := SetupMessage(msgButtonCancel);
    CancelButton.Left := Form.ClientWidth - ScaleX(104);
    CancelButton.Top := ScaleY(156);
    CancelButton.Width := ScaleX(88);
    CancelButton.Height := ScaleY(28);
    CancelButton.ModalResult := mrCancel;
    CancelButton.Cancel := True;
    Form.ActiveControl := Edit;
    Result := Form.ShowModal() = mrOk;
    Code := Edit.Text;
    StringChangeEx(Code, ' ', '', True);
  finally
    Form.Free();
  end;
end;

{ `vigie uninstall --silent` (it tells the helper, stops Vigie, removes the Run key), with
  the helper code in a private file when given; True when it went through. }
function RunVigieUninstall(const Code: String; const Check: Boolean; var Said: String): Boolean;
var
  CodeFile, Params: String;
  Lines: TArrayOfString;
  ResultCode: Integer;
  Output: TExecOutput;
begin
  Params := 'uninstall --silent';
  if Check then
    Params := Params + ' --check';
  if Code <> '' then
  begin
    CodeFile := GenerateUniqueName(GetTempDir(), '.txt');
    SetArrayLength(Lines, 1);
    Lines[0] := Code;
    if SaveStringsToUTF8FileWithoutBOM(CodeFile, Lines, False) then
      Params := Params + ' --code-file ' + AddQuotes(CodeFile);
  end;
  try
    Result := ExecAndCaptureOutput(ExpandConstant('{app}\vigie.exe'), Params, ExpandConstant('{app}'),
      SW_SHOWNORMAL, ewWaitUntilTerminated, ResultCode, Output);
    Said := Joined(Output.StdErr) + Joined(Output.StdOut);
  except
    Result := False;
    Said := GetExceptionMessage();
  end;
  if CodeFile <> '' then
    DeleteFile(CodeFile);
  Result := Result and (ResultCode = 0);
end;

{ Where a helper code is set, it is asked first (a silent uninstall takes /HELPERCODE=) and
  checked at once (`vigie uninstall --check`, which removes nothing): refused (wrong or no
  code), the uninstaller ends, nothing is removed and the person is told why. The real
  `vigie uninstall` (it tells the helper, stops Vigie, removes the Run key) runs only once the
  person has also answered Yes to Inno Setup's own "Are you sure?" (CurUninstallStepChanged):
  a No there leaves Vigie as it was, running and started at log-on. }
function InitializeUninstall(): Boolean;
var
  Code, Said: String;
begin
  Result := True;
  if not HelperCodeSet() then
    Exit;
  Code := ExpandConstant('{param:HELPERCODE|}');
  if (Code = '') and not UninstallSilent then
    if not AskUninstallCode(Code) then
    begin
      Result := False;
      Exit;
    end;
  if not RunVigieUninstall(Code, True, Said) then
  begin
    SuppressibleMsgBox(FmtMessage(CustomMessage('UninstallRefused'), [Said]), mbError, MB_OK, IDOK);
    Result := False;
    Exit;
  end;
  UninstallCode := Code;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Said: String;
begin
  if CurUninstallStep = usUninstall then
    RunVigieUninstall(UninstallCode, False, Said);
end;
