"""Scorecards (考核) of service and sales (spec/service-desk.md): read the
service desk's records, the orders and the ledger (`inputs`), score them
with the pure `tandem.service.scoring`, and export or show them
(`export`, `selectors`, `cli`). Above commissions: credited revenue uses
the commission rules' participants, scenarios and weights."""
