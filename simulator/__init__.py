"""mailsim: POP3 vs IMAP multi-device mail simulator."""
