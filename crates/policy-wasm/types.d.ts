// placeholder until the declarations are written
