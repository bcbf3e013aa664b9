"""Reports: read-only dashboards and exports of training records, by unit subtree."""
