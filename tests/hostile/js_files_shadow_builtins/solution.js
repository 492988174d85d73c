const fs = require('fs');
const helper = require('./helper');
console.log(helper.name, typeof fs.readFileSync === 'function' ? 'fs' : 'not fs', process.argv[2]);
