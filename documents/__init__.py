"""Documents: schools' spreadsheets read and checked (spreadsheets.py) and the .xlsx exports
written (workbooks.py); orders and reports from templates are planned."""
