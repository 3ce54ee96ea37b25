/* The ecosystem map: reads the graph the page embedded (json_script "ecosystem-data") and draws it with Cytoscape.
   Nothing is fetched: the server filtered the graph already. Clicking a partner opens its page. */
(function () {
  "use strict";
  var container = document.getElementById("ecosystem-map");
  var source = document.getElementById("ecosystem-data");
  if (!container || !source || typeof window.cytoscape !== "function") {
    return;
  }
  var graph = JSON.parse(source.textContent);
  var edgeColours = { cosell: "#1f77b4", solution: "#2ca02c", collaboration: "#ff7f0e" };
  var elements = [];
  graph.nodes.forEach(function (node) {
    elements.push({ group: "nodes", data: { id: node.id, label: node.label, size: node.size, color: node.color, url: node.url } });
  });
  graph.edges.forEach(function (edge) {
    elements.push({
      group: "edges",
      data: {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        kind: edge.kind,
        weight: edge.weight,
        width: Math.min(1.5 + edge.weight * 1.5, 10),
        color: edgeColours[edge.kind] || "#999",
      },
    });
  });
  var cy = window.cytoscape({
    container: container,
    elements: elements,
    wheelSensitivity: 0.2,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(color)",
          width: "data(size)",
          height: "data(size)",
          label: "data(label)",
          "font-size": 9,
          color: "#333333",
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "wrap",
          "text-max-width": 90,
          "border-width": 1,
          "border-color": "#ffffff",
        },
      },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#000000" } },
      {
        selector: "edge",
        style: { width: "data(width)", "line-color": "data(color)", opacity: 0.7, "curve-style": "bezier" },
      },
      { selector: "edge[kind = 'collaboration']", style: { "line-style": "dashed" } },
    ],
    layout: {
      name: "cose",
      animate: false,
      randomize: false,
      nodeDimensionsIncludeLabels: true,
      nodeRepulsion: function () { return 40000; },
      idealEdgeLength: function () { return 140; },
      nodeOverlap: 20,
      componentSpacing: 40,
      gravity: 0.5,
      padding: 20,
    },
  });
  cy.fit(undefined, 20);
  cy.on("tap", "node", function (event) {
    var url = event.target.data("url");
    if (url) {
      window.location.href = url;
    }
  });
  cy.on("mouseover", "node", function () { container.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function () { container.style.cursor = ""; });
  container.ecosystemMap = cy; // for the browser journey, which clicks a node by its rendered position
  container.setAttribute("data-rendered", "true");
})();
