"""Documents: schools' spreadsheets read and checked (spreadsheets.py) and the .xlsx exports
written (workbooks.py); the order fixing the pairs as .docx and HTML (orders.py), with names
declined in Russian (declension.py). Reports are planned."""
