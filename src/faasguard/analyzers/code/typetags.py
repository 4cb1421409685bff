"""Light type tags for the objects handlers build (clients, connections, app objects).

Tags let the engine tell ``cursor.execute(sql)`` from ``table.query(...)`` and find framework
routes; they are inferred from constructor calls only, never by running code.
"""

from __future__ import annotations

_POWERTOOLS = "aws_lambda_powertools.event_handler"
_RESOLVERS = ("APIGatewayRestResolver", "APIGatewayHttpResolver", "ApiGatewayResolver", "ALBResolver",
              "LambdaFunctionUrlResolver", "VPCLatticeResolver", "VPCLatticeV2Resolver", "BedrockAgentResolver")

CONSTRUCTOR_TYPES: dict[str, str] = {
    "flask.Flask": "flask.app", "flask.Blueprint": "flask.app", "quart.Quart": "flask.app",
    "fastapi.FastAPI": "fastapi.app", "fastapi.APIRouter": "fastapi.app",
    "fastapi.routing.APIRouter": "fastapi.app",
    "chalice.Chalice": "chalice.app", "chalice.app.Chalice": "chalice.app", "chalice.Blueprint": "chalice.app",
    **{f"{_POWERTOOLS}.{r}": "pt.resolver" for r in _RESOLVERS},
    **{f"{_POWERTOOLS}.api_gateway.{r}": "pt.resolver" for r in _RESOLVERS},
    **{f"{_POWERTOOLS}.{r}": "pt.resolver" for r in ("Router", "router.APIGatewayRouter", "router.Router",
                                                     "api_gateway.Router")},
    "pymongo.MongoClient": "mongo.client", "motor.motor_asyncio.AsyncIOMotorClient": "mongo.client",
    "requests.Session": "requests.session", "requests.session": "requests.session",
    "httpx.Client": "httpx.client", "httpx.AsyncClient": "httpx.client",
    "aiohttp.ClientSession": "aiohttp.session", "urllib3.PoolManager": "urllib3.pool",
    "urllib3.HTTPConnectionPool": "urllib3.pool", "urllib3.HTTPSConnectionPool": "urllib3.pool",
    "jinja2.Environment": "jinja.env", "jinja2.sandbox.SandboxedEnvironment": "jinja.sandbox",
    "lxml.etree.XMLParser": "lxml.parser",
    "pathlib.Path": "path", "pathlib.PurePath": "path", "pathlib.PosixPath": "path",
    "tarfile.open": "tar", "tarfile.TarFile": "tar", "tarfile.TarFile.open": "tar",
    "logging.getLogger": "logger", "aws_lambda_powertools.Logger": "logger",
    "aws_lambda_powertools.logging.Logger": "logger", "structlog.get_logger": "logger",
    "sqlite3.connect": "db.conn", "psycopg2.connect": "db.conn", "psycopg.connect": "db.conn",
    "pymysql.connect": "db.conn", "mysql.connector.connect": "db.conn", "pg8000.connect": "db.conn",
    "sqlalchemy.create_engine": "db.conn", "pyodbc.connect": "db.conn", "cx_Oracle.connect": "db.conn",
    "boto3.session.Session": "boto3.session", "boto3.Session": "boto3.session",
}

METHOD_TYPES: dict[tuple[str, str], str] = {
    ("boto3r:dynamodb", "Table"): "ddb.table",
    ("boto3r:s3", "Object"): "s3.object",
    ("boto3r:s3", "Bucket"): "s3.bucket",
    ("db.conn", "cursor"): "db.cursor",
    ("db.conn", "connect"): "db.conn",
    ("db.conn", "begin"): "db.conn",
    ("mongo.client", "get_database"): "mongo.db",
    ("mongo.client", "get_default_database"): "mongo.db",
    ("mongo.db", "get_collection"): "mongo.collection",
    ("path", "joinpath"): "path", ("path", "resolve"): "path", ("path", "with_name"): "path",
    ("path", "with_suffix"): "path", ("path", "absolute"): "path", ("path", "expanduser"): "path",
    ("jinja.env", "from_string"): "jinja.template",
}

# Attribute/subscript on these gives the next level (client["db"]["coll"], client.db.coll).
ITEM_TYPES = {"mongo.client": "mongo.db", "mongo.db": "mongo.collection"}

FRAMEWORK_APPS = frozenset({"flask.app", "fastapi.app", "chalice.app", "pt.resolver"})
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "head", "options", "api_route",
                              "websocket", "any"})
