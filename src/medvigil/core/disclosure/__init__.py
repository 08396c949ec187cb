"""Coordinated vulnerability disclosure: attachment sniffing and the RFC 9116 security.txt."""
