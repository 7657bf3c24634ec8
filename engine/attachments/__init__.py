"""Files attached to records: where their bytes are kept (`storage`), what they are
(`sniffing`), their metadata (`tables`: `gx_attachment`). The Store writes and reads the
metadata (`guanxi.store.attachments`), with history and change events."""
