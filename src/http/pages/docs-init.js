// Starts the Swagger UI on Gatehouse's OpenAPI document. A file, not an inline script, so /docs
// runs under the same strict Content-Security-Policy as every other page.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
