"""The channel layer of production and tests: channels-redis, kept alive across a Redis restart.

channels-redis lets a Redis error out of ``receive``, which ends the consumer that was waiting and drops its browser's
socket. A restart (or a failover, or one slow read) is not a reason to drop every open page, so ``receive`` waits and
tries again; nothing is lost meanwhile, since channels-redis keeps a message in its backup queue until it is read.
"""

from __future__ import annotations

import asyncio
import logging

from channels_redis.core import RedisChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Waits between tries after Redis failed: quick at first, then every few seconds until it is back.
RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 5.0)


class ResilientRedisChannelLayer(RedisChannelLayer):
    async def receive(self, channel):
        failures = 0
        while True:
            try:
                return await super().receive(channel)
            except (RedisConnectionError, RedisTimeoutError, OSError):
                delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
                failures += 1
                logger.warning("channel layer: Redis unavailable for %s, trying again in %s s", channel, delay)
                await asyncio.sleep(delay)
