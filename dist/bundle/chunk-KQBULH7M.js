import{a as o}from"./chunk-SQE76S5B.js";var c=o((n,t)=>{var e=process.getBuiltinModule("node:crypto");t.exports=typeof e=="function"?e:Object.create(e)});export{c as a};
