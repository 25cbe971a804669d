"""An index of entry lengths, so reports find the longest entry without a table scan.

A report scans entries by start time from ``range start - longest entry`` (so an entry that
began before the range and runs into it is counted). ``ix_entries_span`` indexes each live
entry's length (``"end" - start``; NULL while it runs), which turns finding the longest entry
into an index lookup instead of a scan of every entry.

Revision ID: 0002_report_indexes
Revises: 0001_baseline
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_report_indexes"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_span", "time_entries", [sa.text('("end" - start)')],
                    sqlite_where=sa.text("deleted_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_entries_span", table_name="time_entries")
