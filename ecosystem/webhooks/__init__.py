"""Tenant webhooks: endpoints subscribe to events; events go through an outbox and are delivered at least once.

See :mod:`ecosystem.webhooks.services` (endpoints, :func:`webhook_emit`) and :mod:`ecosystem.webhooks.delivery`
(claiming with a lease, signing, retries with backoff, dead letters).
"""
