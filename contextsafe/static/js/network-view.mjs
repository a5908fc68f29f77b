// The network view on person and context profiles (mapping): a Cytoscape.js diagram drawn from
// the same data as the table beside it. Every line is an observation with a source; selecting a
// person, place or line shows what was recorded. Each line arrives with a summary (kinds, how
// many observations, the latest date, the strongest reliability); its observations are asked for
// when the line is selected, once. Hubs show their strongest ties and offer "show more", which
// asks the server for the next ones (never the whole hub at once).

const COLOURS = {
  text: '#0b0c0c',
  line: '#505a5f',
  centre: '#1d70b8',
  young: '#d2e2f1',
  youngBorder: '#1d70b8',
  adult: '#f4e2d8',
  adultBorder: '#942514',
  place: '#cce2d8',
  placeBorder: '#005a30',
  selected: '#ffdd00'
}
const LABELLED_EDGES = 12
const CYTOSCAPE_STYLESHEET = '__________cytoscape_stylesheet'

function element (tag, attributes = {}, text = '') {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value)
  if (text) node.textContent = text
  return node
}

function nodeData (n, centre) {
  const more = n.more ? ` (+${n.more})` : ''
  return {
    group: 'nodes',
    data: {
      ...n,
      display: `${n.label}${more}`,
      role: n.id === centre ? 'centre' : n.place ? 'place' : n.kind === 'young_person' ? 'young' : 'adult'
    }
  }
}

function edgeData (e) {
  const n = e.count
  const short = `${e.kinds.join(', ')}${n > 1 ? ` (${n})` : ''}`
  return { group: 'edges', data: { ...e, short, weight: Math.min(n, 4) } }
}

function shortDate (iso) {
  return new Date(`${iso}T12:00:00`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
}

function style (labelEdges) {
  return [
    {
      selector: 'node',
      style: {
        label: 'data(display)',
        color: COLOURS.text,
        'font-size': 14,
        'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
        'text-valign': 'bottom',
        'text-margin-y': 6,
        'text-wrap': 'wrap',
        'text-max-width': 140,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.9,
        'text-background-padding': 2,
        width: 34,
        height: 34,
        'border-width': 3
      }
    },
    { selector: 'node[role = "young"]', style: { shape: 'ellipse', 'background-color': COLOURS.young, 'border-color': COLOURS.youngBorder } },
    { selector: 'node[role = "adult"]', style: { shape: 'ellipse', 'background-color': COLOURS.adult, 'border-color': COLOURS.adultBorder, 'border-style': 'double', 'border-width': 5 } },
    { selector: 'node[role = "place"]', style: { shape: 'round-rectangle', width: 44, height: 30, 'background-color': COLOURS.place, 'border-color': COLOURS.placeBorder } },
    { selector: 'node[role = "centre"]', style: { 'background-color': COLOURS.centre, 'border-color': COLOURS.text, 'border-width': 4, width: 50, height: 50, 'font-weight': 'bold', 'font-size': 16 } },
    { selector: 'node[role = "centre"][?place]', style: { shape: 'round-rectangle', width: 60, height: 42 } },
    { selector: 'node[more > 0]', style: { 'border-style': 'dashed' } },
    {
      selector: 'edge',
      style: {
        width: 'mapData(weight, 1, 4, 2, 6)',
        'line-color': COLOURS.line,
        'curve-style': 'bezier',
        label: labelEdges ? 'data(short)' : '',
        'font-size': 12,
        color: COLOURS.text,
        'text-rotation': 'none',
        'text-wrap': 'wrap',
        'text-max-width': 120,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.9,
        'text-background-padding': 1
      }
    },
    { selector: 'edge:selected, edge.cs-hover', style: { label: 'data(short)', 'line-color': COLOURS.text, 'z-index': 10 } },
    { selector: 'node:selected', style: { 'underlay-color': COLOURS.selected, 'underlay-opacity': 1, 'underlay-padding': 7, 'underlay-shape': 'ellipse' } }
  ]
}

function layout (cy) {
  // Rings by steps from the centre give a stable start; a force-directed pass from there (not
  // from random positions, so the same data always draws the same way) spreads the rings out.
  const depthOf = (node) => node.data('depth') ?? 1
  cy.layout({
    name: 'concentric',
    concentric: (node) => 4 - depthOf(node),
    levelWidth: () => 1,
    minNodeSpacing: cy.nodes().length > 12 ? 30 : 90,
    animate: false,
    fit: false
  }).run()
  if (cy.nodes().every((n) => depthOf(n) <= 1)) return cy.layout({ name: 'preset', fit: true, padding: 50 })
  return cy.layout({
    name: 'cose',
    randomize: false,
    animate: false,
    nodeDimensionsIncludeLabels: true,
    fit: true,
    padding: 50,
    idealEdgeLength: () => 70,
    nodeRepulsion: () => 160000,
    nodeOverlap: 40,
    gravity: 1,
    numIter: 1500
  })
}

function observationList (observations) {
  const list = element('ul', { class: 'govuk-list govuk-body-s' })
  for (const o of observations) {
    const item = element('li')
    item.append(element('strong', {}, o.kind), `: ${o.source}`)
    const date = o.date ? ` · ${shortDate(o.date)}` : ''
    item.append(element('span', { class: 'cs-meta' }, `${o.reliability} · ${o.agency}${date}`))
    list.append(item)
  }
  return list
}

function edgeSummary (edge) {
  const n = edge.data('count')
  const latest = edge.data('latest') ? `, latest ${shortDate(edge.data('latest'))}` : ''
  return `${n} recorded observation${n === 1 ? '' : 's'}${latest}; strongest reliability: ${edge.data('reliability')}.`
}

// A line's observations, asked for once (the server checks and audits the read of both ends).
function observationsOf (edge, linkUrl) {
  let pending = edge.scratch('observations')
  if (!pending) {
    const url = new URL(linkUrl, window.location.href)
    url.searchParams.set('a', edge.data('source'))
    url.searchParams.set('b', edge.data('target'))
    pending = fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then((response) => {
        if (!response.ok) throw new Error(`The server answered ${response.status}`)
        return response.json()
      })
      .then((line) => line.observations)
    pending.catch(() => edge.removeScratch('observations'))
    edge.scratch('observations', pending)
  }
  return pending
}

function showEdge (panel, edge, linkUrl) {
  const status = element('p', { class: 'govuk-body-s' }, 'Loading what was recorded…')
  panel.replaceChildren(
    element('h3', { class: 'govuk-heading-s' }, `${edge.source().data('label')} and ${edge.target().data('label')}`),
    element('p', { class: 'govuk-body-s' }, `${edge.data('kinds').join(', ')}: ${edgeSummary(edge)}`),
    element('p', { class: 'govuk-body-s' }, 'Recorded observations (not facts):'),
    status
  )
  panel.dataset.edge = edge.id()
  observationsOf(edge, linkUrl).then(
    (observations) => {
      if (panel.dataset.edge === edge.id()) status.replaceWith(observationList(observations))
    },
    () => {
      if (panel.dataset.edge === edge.id()) status.textContent = 'Could not load what was recorded. Try again, or use the table.'
    }
  )
}

function showNode (panel, node, expand) {
  delete panel.dataset.edge
  const heading = element('h3', { class: 'govuk-heading-s' })
  heading.append(element('a', { class: 'govuk-link', href: node.data('url') }, node.data('label')))
  const parts = [heading, element('p', { class: 'govuk-body-s' }, node.data('description'))]
  const links = node.connectedEdges().length
  parts.push(element('p', { class: 'govuk-body-s' }, `${links} link${links === 1 ? '' : 's'} drawn.`))
  const more = node.data('more')
  if (more > 0) {
    const button = element('button', { type: 'button', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0' }, `Show ${Math.min(more, 25)} more of ${more} linked`)
    button.addEventListener('click', () => expand(node, button))
    parts.push(button)
  }
  panel.replaceChildren(...parts)
}

// Fitting a large network can shrink labels below reading size: keep the zoom between the two
// limits and let the person pan instead.
function readable (cy) {
  const level = Math.min(Math.max(cy.zoom(), 0.6), 1.4)
  if (level !== cy.zoom()) cy.zoom(level)
  cy.center()
}

async function start (root) {
  const source = document.getElementById('network-data')
  const canvas = root.querySelector('[data-network-canvas]')
  const panel = root.querySelector('[data-network-detail]')
  if (!source || !canvas || !panel) return
  const graph = JSON.parse(source.textContent)
  const { default: cytoscape } = await import(root.dataset.cytoscape)
  // Cytoscape adds an inline <style> unless an element with this id exists; the CSP refuses
  // inline styles, so the rule it wants lives in _network.scss and this marker stands in.
  if (!document.getElementById(CYTOSCAPE_STYLESHEET)) {
    document.head.append(element('meta', { id: CYTOSCAPE_STYLESHEET, name: 'cytoscape-styles' }))
  }
  const centre = graph.centre
  const cy = cytoscape({
    container: canvas,
    elements: [...graph.nodes.map((n) => nodeData(n, centre)), ...graph.edges.map(edgeData)],
    style: style(graph.edges.length <= LABELLED_EDGES),
    minZoom: 0.5,
    maxZoom: 3,
    wheelSensitivity: 0.3,
    boxSelectionEnabled: false
  })
  layout(cy).run()
  readable(cy)
  // Where each drawn line sits, for tests that click one as a person would.
  root.networkDiagram = cy
  root.classList.add('cs-network--ready')

  async function expand (node, button) {
    button.disabled = true
    button.textContent = 'Loading…'
    const shown = cy.nodes().map((n) => n.id()).join(',')
    const url = new URL(root.dataset.url, window.location.href)
    url.searchParams.set('expand', node.id())
    url.searchParams.set('shown', shown)
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (!response.ok) throw new Error(`The server answered ${response.status}`)
      const page = await response.json()
      const depth = (node.data('depth') ?? 0) + 1
      cy.add([
        ...page.nodes.map((n) => nodeData({ ...n, depth }, centre)),
        ...page.edges.map(edgeData)
      ])
      node.data('more', page.remaining)
      node.data('display', `${node.data('label')}${page.remaining ? ` (+${page.remaining})` : ''}`)
      layout(cy).run()
      readable(cy)
      showNode(panel, node, expand)
    } catch (error) {
      panel.append(element('p', { class: 'govuk-error-message' }, 'Could not load more links. Try again, or use the table.'))
      button.disabled = false
      button.textContent = 'Show more'
    }
  }

  cy.on('tap', 'node', (event) => showNode(panel, event.target, expand))
  const linkUrl = root.dataset.linkUrl
  cy.on('tap', 'edge', (event) => showEdge(panel, event.target, linkUrl))
  cy.on('mouseover', 'edge', (event) => {
    event.target.addClass('cs-hover')
    showEdge(panel, event.target, linkUrl)
  })
  cy.on('mouseout', 'edge', (event) => event.target.removeClass('cs-hover'))
  cy.on('mouseover', 'node', () => { canvas.style.cursor = 'pointer' })
  cy.on('mouseout', 'node', () => { canvas.style.cursor = '' })
  cy.on('tap', (event) => {
    if (event.target !== cy) return
    delete panel.dataset.edge
    panel.replaceChildren(element('p', { class: 'govuk-body-s' }, 'Nothing selected.'))
  })
  const centreNode = cy.getElementById(centre)
  if (centreNode.nonempty()) showNode(panel, centreNode, expand)
}

for (const root of document.querySelectorAll('[data-network]')) {
  start(root).catch((error) => {
    root.querySelector('[data-network-detail]')?.replaceChildren(
      element('p', { class: 'govuk-body-s' }, 'The diagram could not be drawn. The table has the same information.')
    )
    console.warn(error)
  })
}
