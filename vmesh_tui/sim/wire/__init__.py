"""The twin's wire: HTTPS transport, certificates, SOAP encoding, request counts, the per-host endpoint."""
