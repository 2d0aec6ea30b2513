"""The data exchange (数据交换) with the city's digital platform: inbound batches of
enterprise R&D filings from machine accounts (``inbound``) and outbound feeds of the
approved indicator values (``feeds``). Format ``yanzhi-exchange/1`` (docs/exchange.md)."""
