// The Express 4 and Fastify 4 test installs are npm aliases; type them as their current majors (the tests
// only use the API the two majors share).
declare module 'express4' {
  import express from 'express'
  export default express
}

declare module 'fastify4' {
  import fastify from 'fastify'
  export default fastify
}
