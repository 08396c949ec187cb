"""Program metrics: the FDA's postmarket numbers (time to assess, communicate, fix and deploy,
clock compliance, share of the field patched, burn-down) computed by the database."""
