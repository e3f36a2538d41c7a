"""Results as people and programs read them: terminal tables, csv, tsv, json, markdown, Excel, charts, maps and
the province report. Renderers build text or bytes; they never print."""
