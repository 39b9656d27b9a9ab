"""The supply catalog (what suppliers sell) and the shop catalog (what shops list)."""
