"""Orders and reports rendered from Jinja2 / .docx templates. Empty until documents are built."""
