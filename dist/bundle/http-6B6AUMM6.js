import{a}from"./chunk-CR5GC7UW.js";import"./chunk-SQE76S5B.js";export default a();
