import{a}from"./chunk-37DE3FAW.js";import"./chunk-SQE76S5B.js";export default a();
