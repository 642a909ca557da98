"""Reports for the CAN and the regions: indicators per commission and period, digests, the annual
plan-progress report, as text, chart, spreadsheet and document."""
