// Starts GOV.UK Frontend and MOJ Frontend components, and the "hide screen" control.
import { initAll as initGovuk } from '../govuk/govuk-frontend.min.js'
import { initAll as initMoj } from '../moj/moj-frontend.min.js'
import { initHideScreen } from './hide-screen.mjs'

initGovuk()
initMoj()
initHideScreen(document)

document.querySelectorAll('[data-print]').forEach((link) => {
  link.addEventListener('click', (event) => {
    event.preventDefault()
    window.print()
  })
})
