"""A dashboard with every widget of this version in its hard states, for layout tests and review.

It has long titles, a monitor with many sites (some down), a widget whose
first refresh failed, a stale widget, a group with tabs and a split column.
"""

from __future__ import annotations

from luna.widgets.base import WidgetState
from tests.browser.support import LiveDashboard

LONG_TITLE = "Network attached storage in the basement rack, second shelf from the top"

PATTERNS = f"""
pages:
  - name: Patterns
    columns:
      - size: small
        widgets:
          - type: clock
            hour-format: 12h
            timezones:
              - timezone: Asia/Kolkata
              - timezone: America/St_Johns
                label: A time zone label far too long to fit beside the time
          - type: monitor
            title: Compact
            style: compact
            sites:
              - title: Up
                url: ${{LUNA_SELF_URL}}
              - title: {LONG_TITLE}
                url: ${{LUNA_CLOSED_URL}}
          - type: bookmarks
            title: {LONG_TITLE}
            groups:
              - title: Links
                links:
                  - title: {LONG_TITLE}
                    url: http://nas.local/
                    description: A description that runs on well past the width of a small column
                  - title: Router
                    url: http://192.168.1.1/
      - size: full
        widgets:
          - type: monitor
            title: Many sites
            sites:
              - title: Up
                url: ${{LUNA_SELF_URL}}
              - title: Refused
                url: ${{LUNA_CLOSED_URL}}
              - title: {LONG_TITLE}
                url: ${{LUNA_SELF_URL}}
              - title: Missing page
                url: ${{LUNA_SELF_URL}}/nothing-here
              - title: Site 5
                url: ${{LUNA_SELF_URL}}
              - title: Site 6
                url: ${{LUNA_SELF_URL}}
              - title: Site 7
                url: ${{LUNA_SELF_URL}}
              - title: Site 8
                url: ${{LUNA_SELF_URL}}
              - title: Site 9
                url: ${{LUNA_SELF_URL}}
              - title: Site 10
                url: ${{LUNA_SELF_URL}}
          - type: monitor
            title: Broken
            sites:
              - title: Never checked
                url: ${{LUNA_SELF_URL}}
          - type: monitor
            title: Stale
            sites:
              - title: Checked once
                url: ${{LUNA_SELF_URL}}
          - type: group
            widgets:
              - type: html
                title: First tab
                source: <p class="first-tab-text">The first tab.</p>
              - type: bookmarks
                title: Second tab
                groups:
                  - links:
                      - title: Router
                        url: http://192.168.1.1/
          - type: split-column
            widgets:
              - type: html
                title: Left
                hide-header: false
                source: <p>Left of the split column.</p>
              - type: html
                title: Right
                hide-header: false
                source: <p>Right of the split column.</p>
  - name: A second page with a long name
    columns:
      - size: full
        widgets:
          - type: html
            source: <p>Second page.</p>
"""

BROKEN_REASON = "timed out after 30s"


def show_hard_states(dashboard: LiveDashboard) -> None:
    """Check every monitor once, then fail the first refresh of "Broken" and a later one of "Stale"."""

    for title in ("Compact", "Many sites", "Stale"):
        dashboard.refresh(dashboard.widget_titled(title))

    now = dashboard.clock.now()
    dashboard.set_state(dashboard.widget_titled("Broken"), WidgetState().after_failure(BROKEN_REASON, now))
    stale = dashboard.widget_titled("Stale")
    dashboard.set_state(stale, stale.state.after_failure("connection refused", now))
