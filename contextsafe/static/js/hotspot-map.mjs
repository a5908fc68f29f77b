// The hotspot and emerging maps: progressive enhancement over the tables on the page.
// Draws the JSON from data-url with Leaflet; ward boundaries are the base layer, tiles only when
// the deployment names a tile server. Popups are built from text nodes, never from HTML strings.
import * as L from '../leaflet/leaflet-src.esm.js'

// Colour is never the only cue: every band also has its own outline weight and dash pattern,
// named in the key on the page.
const BANDS = {
  'hot-99': { fillColor: '#d4351c', color: '#0b0c0c', weight: 3, fillOpacity: 0.7 },
  'hot-95': { fillColor: '#f47738', color: '#0b0c0c', weight: 2, fillOpacity: 0.65 },
  'hot-90': { fillColor: '#ffdd00', color: '#0b0c0c', weight: 2, dashArray: '6 4', fillOpacity: 0.6 },
  none: { fillColor: '#b1b4b6', color: '#6f777b', weight: 1, dashArray: '1 4', fillOpacity: 0.15 },
  cold: { fillColor: '#1d70b8', color: '#003078', weight: 2, dashArray: '8 4 2 4', fillOpacity: 0.4 },
  new: { fillColor: '#d4351c', color: '#0b0c0c', weight: 3, fillOpacity: 0.7 },
  intensifying: { fillColor: '#f47738', color: '#0b0c0c', weight: 2, fillOpacity: 0.65 },
  persistent: { fillColor: '#912b88', color: '#0b0c0c', weight: 2, dashArray: '6 4', fillOpacity: 0.5 },
  diminishing: { fillColor: '#1d70b8', color: '#003078', weight: 2, dashArray: '8 4 2 4', fillOpacity: 0.4 }
}
const STATUS_LETTERS = { noted: 'N', under_assessment: 'A', on_plan: 'P', closed: 'C' }

function el (tag, text, className) {
  const node = document.createElement(tag)
  if (text !== undefined && text !== null) node.textContent = String(text)
  if (className) node.className = className
  return node
}

function row (list, term, value) {
  list.append(el('dt', term, 'cs-popup__key'), el('dd', value, 'cs-popup__value'))
}

function link (href, text) {
  const a = el('a', text, 'govuk-link')
  a.href = href
  return a
}

function cellStyle (feature) {
  const band = feature.properties.band
  const quiet = band === 'none' && feature.properties.count === 0
  const style = { ...(BANDS[band] || BANDS.none) }
  if (quiet) {
    style.fillOpacity = 0.04
    style.weight = 0.5
  }
  return style
}

function cellUrl (data, p) {
  return data.cell_url.replace('{cell}', encodeURIComponent(p.cell))
}

function hotspotPopup (p, data) {
  const box = el('div', null, 'cs-popup')
  box.append(el('h3', p.place || 'Map cell', 'govuk-heading-s'))
  const list = el('dl', null, 'cs-popup__list')
  row(list, 'Finding', p.significance.charAt(0).toUpperCase() + p.significance.slice(1))
  row(list, 'Events', p.count_label)
  row(list, 'z', Number(p.z).toFixed(1))
  box.append(list, el('p', p.explanation, 'govuk-body-s'), link(cellUrl(data, p), 'See this cell'))
  return box
}

function emergingPopup (p, data) {
  const box = el('div', null, 'cs-popup')
  box.append(el('h3', p.place || 'Map cell', 'govuk-heading-s'))
  const list = el('dl', null, 'cs-popup__list')
  row(list, 'Finding', p.trend.charAt(0).toUpperCase() + p.trend.slice(1))
  row(list, 'Events earlier', p.earlier_label)
  row(list, 'Events recently', p.recent_label)
  box.append(list, el('p', data.meanings[p.trend], 'govuk-body-s'), el('p', p.explanation, 'govuk-body-s'))
  box.append(link(cellUrl(data, p), 'See this cell'))
  return box
}

function contextPopup (p) {
  const box = el('div', null, 'cs-popup')
  box.append(el('h3', p.name, 'govuk-heading-s'))
  const list = el('dl', null, 'cs-popup__list')
  row(list, 'Type', p.type)
  row(list, 'Status', p.status)
  box.append(list, link(p.url, 'Open the record'))
  return box
}

function eventPopup (p) {
  const box = el('div', null, 'cs-popup')
  box.append(el('h3', p.kind, 'govuk-heading-s'))
  const list = el('dl', null, 'cs-popup__list')
  row(list, 'When', p.date)
  row(list, 'Harm types', p.harm_types.length ? p.harm_types.join(', ') : 'None recorded')
  if (p.place) row(list, 'Where', p.place)
  box.append(list)
  if (p.cell_url) box.append(link(p.cell_url, 'Events in this cell'))
  return box
}

function contextIcon (p) {
  const node = el('span', STATUS_LETTERS[p.status_code] || '?', 'cs-context-marker__letter')
  node.setAttribute('aria-hidden', 'true')
  return L.divIcon({
    html: node,
    className: `cs-context-marker cs-context-marker--${p.status_code}`,
    iconSize: [22, 22]
  })
}

function wardLayer (wards) {
  return L.geoJSON(wards, {
    interactive: false,
    style: { color: '#505a5f', weight: 2, fillColor: '#f3f2f1', fillOpacity: 0.5 },
    onEachFeature: (feature, layer) => {
      const name = feature.properties && feature.properties.name
      if (name) {
        layer.bindTooltip(name, { permanent: true, direction: 'center', className: 'cs-ward-label' })
      }
    }
  })
}

function setStatus (container, text) {
  const status = container.parentElement.querySelector('[data-map-status-text]')
  if (status) status.textContent = text
}

export function drawMap (container, data) {
  container.replaceChildren()
  const map = L.map(container, { scrollWheelZoom: false, attributionControl: Boolean(container.dataset.tileUrl) })
  const bases = {}
  const wards = data.wards ? wardLayer(data.wards) : null
  if (wards) bases['Ward boundaries'] = wards
  if (container.dataset.tileUrl) {
    bases['Street map'] = L.tileLayer(container.dataset.tileUrl, {
      attribution: container.dataset.tileAttribution || '',
      maxZoom: 19
    })
  }
  const first = Object.values(bases)[0]
  if (first) first.addTo(map)

  const popup = data.mode === 'emerging' ? emergingPopup : hotspotPopup
  const cells = L.geoJSON(data.cells, {
    style: cellStyle,
    onEachFeature: (feature, layer) => {
      layer.bindPopup(() => popup(feature.properties, data), { maxWidth: 320 })
      const label = `${feature.properties.place || 'Map cell'}: ${feature.properties.significance || feature.properties.trend}`
      layer.bindTooltip(label, { sticky: true })
    }
  }).addTo(map)
  // Hot spots drawn last so their outlines sit on top of their quiet neighbours.
  cells.eachLayer((layer) => {
    if (layer.feature.properties.band !== 'none') layer.bringToFront()
  })
  const overlays = { 'Hot spot cells': cells }

  if (data.contexts) {
    const contexts = L.geoJSON(data.contexts, {
      pointToLayer: (feature, latlng) =>
        L.marker(latlng, { icon: contextIcon(feature.properties), title: `${feature.properties.name} (${feature.properties.status})`, keyboard: true }),
      onEachFeature: (feature, layer) => layer.bindPopup(() => contextPopup(feature.properties))
    }).addTo(map)
    overlays['Recorded places'] = contexts
  }
  if (data.events) {
    const events = L.geoJSON(data.events, {
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { radius: 3, color: '#0b0c0c', weight: 1, fillColor: '#ffffff', fillOpacity: 0.9 }),
      onEachFeature: (feature, layer) => layer.bindPopup(() => eventPopup(feature.properties))
    })
    events.addTo(map)
    overlays['Events you may open'] = events
  }
  L.control.layers(bases, overlays, { collapsed: false }).addTo(map)
  L.control.scale({ imperial: false }).addTo(map)

  const frame = wards || cells
  const bounds = frame.getBounds()
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] })
  else map.setView([52.2, -0.9], 13)
  return map
}

function describe (data) {
  const features = data.cells.features
  const bands = data.mode === 'emerging'
    ? features.filter((f) => f.properties.band !== 'none').length
    : features.filter((f) => f.properties.band.startsWith('hot')).length
  const what = data.mode === 'emerging' ? 'with a hot spot in either period' : 'that are hot spots'
  let text = `Map drawn: ${features.length} cells, ${bands} ${what}.`
  if (data.events) {
    text += ` ${data.events.features.length} events you may open are shown`
    text += data.events_capped ? `: only the latest ${data.events_limit}, as there are more in this period. Narrow the period or choose a harm type to see them all.` : '.'
  }
  return text
}

async function layer (url) {
  if (!url) return null
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
  return response.ok ? response.json() : null
}

async function start (container) {
  container.classList.add('cs-hotspot-map__canvas--active')
  try {
    const response = await fetch(container.dataset.url, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    })
    if (!response.ok) throw new Error(`The map data could not be loaded (${response.status}).`)
    const data = await response.json()
    // Recorded places (which do not change with the filters) and the events come on their
    // own, both at once; a layer that fails to load is left off and the rest still drawn.
    const [places, events] = await Promise.all([layer(data.contexts_url), layer(data.events_url)])
    if (places) data.contexts = places
    if (events) Object.assign(data, events)
    drawMap(container, data)
    const note = document.querySelector('[data-events-note]')
    if (note && data.events_capped) note.classList.add('cs-hotspot-map__note--capped')
    setStatus(container, describe(data))
    container.dataset.mapReady = 'true'
  } catch (error) {
    container.replaceChildren(el('p', 'The map could not be drawn. The tables below give the same figures.', 'govuk-body'))
    setStatus(container, String(error.message || error))
  }
}

document.querySelectorAll('[data-hotspot-map]').forEach((container) => {
  start(container)
})
