"""Posts: creation and editing, visibility, reactions, bookmarks, mentions, reports, moderation and
discovery (the feed, trending, hashtags, a user's posts). One DynamoDB table holds them all; see
`eckospace.posts.store` for its items and indexes."""
