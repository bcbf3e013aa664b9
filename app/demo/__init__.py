"""`flask demo seed`: an idempotent demo province, its cadres, one account per
role."""
