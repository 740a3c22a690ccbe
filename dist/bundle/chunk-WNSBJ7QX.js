import{a as o}from"./chunk-SQE76S5B.js";var c=o((p,t)=>{var e=process.getBuiltinModule("node:fs");t.exports=Object.getPrototypeOf(e)===Object.prototype?Object.create(e):e});export{c as a};
