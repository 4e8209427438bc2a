"""What the feed widgets share: capped fetching, feed parsing and cleaning of outside text and links."""
