"""Real mail programs (mbsync, offlineimap, getmail, fetchmail) as a device's client, run as
subprocesses against the Dovecot backend through a proxy that counts and cuts the stream."""
