// Swagger UI for this server's own OpenAPI document; nothing is loaded from elsewhere
// (no validator badge, no external assets).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: false,
  });
});
