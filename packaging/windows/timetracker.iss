; Inno Setup script for the TimeTracker Windows installer (see docs/building.md).
;
;   iscc /DAppVersion=1.2.3 /DNumericVersion=1.2.3 packaging\windows\timetracker.iss
;
; Packs the PyInstaller one-folder bundle (dist\pyinstaller\timetracker, built by
; packaging\build_app.py) into dist\TimeTracker-<version>-setup.exe. Per-user install: no admin
; rights, installs to %LOCALAPPDATA%\Programs\TimeTracker, Start-menu entry, optional desktop
; icon, an uninstaller in "Apps & features". User data (platformdirs folders) is kept on
; uninstall.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef NumericVersion
  #define NumericVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\pyinstaller\timetracker"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\timetracker.ico"
#endif

[Setup]
; A fixed AppId keeps upgrades in place; never change it.
AppId={{6B0E2F4A-3C1D-4B7E-9A25-7D4C1E8F2A90}
AppName=TimeTracker
AppVersion={#AppVersion}
AppVerName=TimeTracker {#AppVersion}
AppPublisher=The TimeTracker developers
AppPublisherURL=https://github.com/timetracker-desktop/timetracker
AppSupportURL=https://github.com/timetracker-desktop/timetracker/issues
VersionInfoVersion={#NumericVersion}
VersionInfoProductName=TimeTracker
; Per-user: no elevation, {autopf} is %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={autopf}\TimeTracker
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=TimeTracker-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\TimeTracker.exe
UninstallDisplayName=TimeTracker
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\TimeTracker"; Filename: "{app}\TimeTracker.exe"; Comment: "Track the time you spend on projects and tasks"
Name: "{autodesktop}\TimeTracker"; Filename: "{app}\TimeTracker.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\TimeTracker.exe"; Description: "{cm:LaunchProgram,TimeTracker}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Anything the app may have left inside its own folder (never the user's data folders).
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
