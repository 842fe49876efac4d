import AsyncHTTPClient
import NIOSSL
import NIOHTTP1
import Logging
