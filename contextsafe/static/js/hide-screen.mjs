// Blanks the page at once when someone walks past: the "Hide screen" button or the Escape key.
// The content stays in the page (nothing typed is lost); the same button or key brings it back.
export function initHideScreen (doc) {
  const root = doc.documentElement
  const buttons = doc.querySelectorAll('[data-hide-screen]')
  const showButton = doc.querySelector('[data-show-screen]')

  function hide () {
    root.classList.add('cs-screen-hidden')
    doc.title = 'Screen hidden'
    if (showButton) showButton.focus()
  }

  function show () {
    root.classList.remove('cs-screen-hidden')
    doc.title = doc.body.dataset.title || doc.title
    if (buttons[0]) buttons[0].focus()
  }

  doc.body.dataset.title = doc.title
  buttons.forEach((button) => button.addEventListener('click', hide))
  if (showButton) showButton.addEventListener('click', show)
  doc.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    if (root.classList.contains('cs-screen-hidden')) show()
    else hide()
  })
}
