"""The mail stage: `emreport send` mails each finished report to its recipients (recipients),
through the SMTP server of smtp.yaml (delivery), keeping a log of what was sent (send)."""
