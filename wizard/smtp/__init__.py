"""Live SMTP checks: resolve, connect, greeting, EHLO, TLS, AUTH, MAIL/RCPT/DATA, port probes."""
