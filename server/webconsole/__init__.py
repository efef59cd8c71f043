"""The desk console and the command screen (console/, built by Vite) and GraphiQL's own assets, served
by the same server: /console/ (desk), /screen/ (wall display), /console/config.js (tile settings),
/console/basemap.json (reference rivers and districts), /console/graphiql/ (GraphiQL with no CDN)."""
