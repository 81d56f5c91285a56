@echo off
rem The front desk from the clinic folder %USERPROFILE%\clinic (handouts installed with pipx).
rem Put a shortcut to this file in the Startup folder (Win+R, shell:startup), or add it to Task Scheduler:
rem   schtasks /Create /TN "handouts front desk" /SC ONLOGON /TR "\"%USERPROFILE%\clinic\handouts-desk.bat\""
cd /d "%USERPROFILE%\clinic"
"%USERPROFILE%\.local\bin\handouts.exe" serve
