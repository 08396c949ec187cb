"""Online fetching of feeds: each fetcher downloads into a folder that ``feed_import`` then reads.

Network I/O only goes through the ``httpx.Client`` a caller passes in a :class:`SyncContext`
(tests replace it or point it at a local server); nothing here reads settings.
"""
