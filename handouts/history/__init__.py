"""The record of every leaflet made: who got what, from which content version, and what became of each
email. The store (store.py) keeps it in an SQLite file (database.py); each email goes through the steps
of messages.py; report.py lays it out for reading."""

from .database import HistoryError
from .messages import HistoryBusy, Message, MessageStatus
from .store import Entry, History, Record

__all__ = ["Entry", "History", "HistoryBusy", "HistoryError", "Message", "MessageStatus", "Record"]
