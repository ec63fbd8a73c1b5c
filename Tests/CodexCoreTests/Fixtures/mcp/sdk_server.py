"""A small MCP server on the official `mcp` Python SDK (v2), for codex's tests.

    sdk_server.py                                   stdio
    sdk_server.py --http PORT [--json] [--stateless] streamable HTTP on 127.0.0.1:PORT/mcp

Tools: add, slow (reports progress), grow (adds a tool, then announces list_changed),
crash (the process exits at once), fail (an isError result).
"""
import os
import sys

from mcp.server import MCPServer
from mcp.server.mcpserver import Context

mcp = MCPServer("codex-test")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@mcp.tool()
async def slow(steps: int, ctx: Context) -> str:
    """Count to steps, reporting progress, one step every 0.2 s."""
    import anyio

    for i in range(steps):
        await ctx.report_progress(i + 1, steps, f"step {i + 1}")
        await anyio.sleep(0.2)
    return f"counted to {steps}"


def extra() -> str:
    """A tool that appears after grow."""
    return "extra here"


@mcp.tool()
async def grow(ctx: Context) -> str:
    """Add the tool 'extra' and tell the client its tools changed."""
    mcp.add_tool(extra, name="extra")
    await ctx.session.send_tool_list_changed()
    return "grown"


@mcp.tool()
def crash() -> str:
    """End the server process at once."""
    os._exit(3)


@mcp.tool()
def fail() -> str:
    """Always fails."""
    raise ValueError("this tool always fails")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--http" in args:
        port = int(args[args.index("--http") + 1])
        mcp.run(
            transport="streamable-http",
            host="127.0.0.1",
            port=port,
            json_response="--json" in args,
            stateless_http="--stateless" in args,
        )
    else:
        mcp.run()
