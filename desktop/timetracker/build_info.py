"""Facts stamped into the app at build time.

Release builds rewrite the constants below (see packaging/stamp_build.py); a source checkout
keeps these defaults. Nothing here is secret: a PostHog project API key is a public write-only
key, but dev builds still carry none so that dev installs keep events local.
"""

from __future__ import annotations

APP_NAME = "TimeTracker"
APP_ID = "timetracker"
ORG_NAME = "TimeTracker"
VERSION = "0.1.0"
#: How this copy was installed: deb, exe, dmg, pip or source.
DEPLOYMENT_METHOD = "source"
#: production for release builds, development otherwise.
ENVIRONMENT = "development"
#: Embedded analytics defaults; empty in dev builds.
POSTHOG_API_KEY = ""
POSTHOG_HOST = ""
