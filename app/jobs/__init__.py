"""Background jobs: long work (certificate ZIPs, large exports, imports, certificates
issued for a campaign) run outside the request, on RQ workers or in threads of the
app, with a page that shows their progress and serves their result."""
