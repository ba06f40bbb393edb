DROP TABLE children;
DROP TABLE items;
