"""Router configs of the special-purpose data network: templates, the FRR driver, push, backups."""
