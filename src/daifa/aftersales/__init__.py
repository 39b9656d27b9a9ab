"""After-sales (售后): cases a shop opens on shipped units, routed to the supplier that shipped
them, answered, returned, replaced, arbitrated and closed with a liability."""
