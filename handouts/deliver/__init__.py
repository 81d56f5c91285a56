"""Getting leaflets to patients: the print file, the printer and email."""
