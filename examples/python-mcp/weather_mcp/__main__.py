from weather_mcp.server import mcp

mcp.run()
